package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.nio.file.Path;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadDisabledTest {

    @TempDir
    Path dir;

    @Test
    void disabledLoadEndpointDoesNotListenButManagementStillAnswers() throws Exception {
        try (RunningNode node = RunningNode.builder(dir).with("b3lb.load.enabled", "false").start()) {
            assertThatThrownBy(() -> node.load("GET", "/")).isInstanceOf(ConnectException.class);
            assertThat(node.management("/observe/health").statusCode()).isEqualTo(200);
            assertThat(node.context().getRouteController().getRouteStatus("load").isStarted()).isFalse();
        }
    }
}
