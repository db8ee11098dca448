package org.b3lb.node.upload;

import java.util.Optional;
import org.b3lb.node.layout.RecordingStates;

/** The upload route's memory of each recording, as {@code b3lb-node status} shows it. */
public final class ScheduleStates implements RecordingStates {

    private final RecordingSchedule schedule;

    public ScheduleStates(RecordingSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public Optional<State> of(String id) {
        return schedule.waiting(id).map(w -> new State(w.failures(), w.lastError(), w.nextAttempt()));
    }
}
