package org.b3lb.node.testing;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.SchedulerException;
import org.quartz.impl.matchers.GroupMatcher;

/** What would wake a running node up for a route: a timer thread or a Quartz trigger named after it. */
public final class Schedules {

    private Schedules() {
    }

    public static boolean timerThread(String routeId) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().contains("timer://" + routeId));
    }

    public static boolean quartzTrigger(CamelContext camel, String routeId) throws SchedulerException {
        return camel.getComponent("quartz", QuartzComponent.class).getScheduler()
                .getTriggerKeys(GroupMatcher.anyTriggerGroup()).stream().anyMatch(k -> k.getName().equals(routeId));
    }
}
