package org.b3lb.node.app;

/** Lets tests in other packages run the command line exactly as {@code main} does, without System.exit. */
public final class AppAccess {

    private AppAccess() {
    }

    public static int run(String... args) {
        return App.run(args);
    }
}
