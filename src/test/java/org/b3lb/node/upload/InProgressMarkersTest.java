package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 13: the in-progress repository holds the markers in flight and nothing else. */
class InProgressMarkersTest {

    @Test
    void aMarkerInProgressCannotBeTakenTwice() {
        InProgressMarkers repo = new InProgressMarkers();
        assertThat(repo.add("/d/a.ready")).isTrue();
        assertThat(repo.add("/d/a.ready")).as("a second poll must not take it").isFalse();
        assertThat(repo.contains("/d/a.ready")).isTrue();
        assertThat(repo.remove("/d/a.ready")).isTrue();
        assertThat(repo.add("/d/a.ready")).as("failed and due again").isTrue();
    }

    @Test
    void aDrainOf200000RecordingsLeavesNothingBehind() {
        InProgressMarkers repo = new InProgressMarkers();
        for (int i = 0; i < 200_000; i++) {
            String name = "/d/" + i + ".ready";
            assertThat(repo.add(name)).isTrue();
            if (i >= 1000) {
                repo.remove("/d/" + (i - 1000) + ".ready"); // 1,000 in flight, like a full route
            }
        }
        assertThat(java.util.stream.IntStream.range(0, 200_000).filter(i -> repo.contains("/d/" + i + ".ready")).count())
                .isEqualTo(1000);
        assertThat(repo.contains("/d/0.ready")).isFalse();
        assertThat(repo.contains("/d/199999.ready")).isTrue();
    }
}
