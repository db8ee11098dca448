package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pause of the uploads (b3lb.upload.hours, pause-above) is intended, but one that lasts for hours
 * must still page: promtool evaluates the shipped rules over a node paused for eight hours with a
 * recording waiting since the pause began.
 */
class PausedUploadAlertTest {

    @TempDir
    Path tmp;

    @Test
    void pendingTooLongFiresThroughAPause() throws Exception {
        Path promtool = Tools.require("promtool");
        String firing = "ALERTS{alertname=\"B3lbRecordingPendingTooLong\", alertstate=\"firing\"}";
        Path test = Files.writeString(tmp.resolve("paused.test.yml"), """
                rule_files:
                  - %s
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'b3lb_upload_paused{reason="hours",instance="bbb1",job="b3lb-node"}'
                        values: '1x480'
                      - series: 'b3lb_upload_paused{reason="busy",instance="bbb1",job="b3lb-node"}'
                        values: '0x480'
                      - series: 'b3lb_pending_oldest_age_seconds{instance="bbb1",job="b3lb-node"}'
                        values: '0+60x480'
                    promql_expr_test:
                      - expr: '%s'
                        eval_time: 6h5m
                        exp_samples: []
                      - expr: '%s'
                        eval_time: 6h15m
                        exp_samples:
                          - labels: 'ALERTS{alertname="B3lbRecordingPendingTooLong", alertstate="firing", severity="warning", instance="bbb1", job="b3lb-node"}'
                            value: 1
                """.formatted(MonitoringPackTest.RULES.toAbsolutePath(), firing, firing));
        Tools.Result r = Tools.run(promtool.toString(), "test", "rules", test.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }
}
