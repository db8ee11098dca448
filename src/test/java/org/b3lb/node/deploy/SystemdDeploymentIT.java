package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The package under a real systemd: {@code .ci/deploy-test.sh SUITE} boots a Debian root in
 * systemd-nspawn, installs the .deb this build made and runs every check of an operator's day
 * (its header lists them). Needs root, systemd-nspawn and debootstrap; elsewhere it says so in
 * one line and is skipped. {@code .ci/run} runs the script itself after {@code mvn verify}
 * ({@code -Db3lb.deploy-test=skip} here), so that its PASS/FAIL lines are in the CI log as they come.
 */
class SystemdDeploymentIT {

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "bullseye"})
    void operatorsDayUnderSystemd(String suite) throws Exception {
        if ("skip".equals(System.getProperty("b3lb.deploy-test"))) {
            System.out.println("SystemdDeploymentIT " + suite + ": skipped (-Db3lb.deploy-test=skip; .ci/run runs .ci/deploy-test.sh)");
            assumeTrue(false, "-Db3lb.deploy-test=skip");
        }
        Path deb = Path.of(System.getProperty("b3lb.deb", "target/b3lb-node_1.0.0_all.deb"));
        ProcessBuilder pb = new ProcessBuilder(".ci/deploy-test.sh", suite, deb.toString()).redirectErrorStream(true);
        Path log = Files.createTempFile("deploy-test-" + suite, ".log");
        Process p = pb.redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        Files.delete(log);
        if (p.exitValue() == 77) {
            System.out.println("SystemdDeploymentIT " + suite + " " + output.strip());
            assumeTrue(false, output.strip());
        }
        System.out.println(output);
        assertThat(output).doesNotContain("FAIL ").contains("PASS purge");
        assertThat(p.exitValue()).isZero();
    }
}
