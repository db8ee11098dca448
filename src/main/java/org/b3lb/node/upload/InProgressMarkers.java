package org.b3lb.node.upload;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The file consumer's in-progress repository: the markers whose exchange runs now, at most the
 * route's bound, in memory (a restart polls every marker again). Hand-written because Camel 4.18's
 * default ({@code MemoryIdempotentRepository} on {@code SimpleLRUCache}) keeps one change-log entry
 * per name ever added, removed or not, and once those pass twice its size rebuilds that log on
 * every add: a drain of 100,000 recordings stalled its poll thread there (docs/benchmarks.md).
 */
final class InProgressMarkers extends ServiceSupport implements IdempotentRepository {

    private final Set<String> names = ConcurrentHashMap.newKeySet();

    @Override
    public boolean add(String name) {
        return names.add(name);
    }

    @Override
    public boolean contains(String name) {
        return names.contains(name);
    }

    @Override
    public boolean remove(String name) {
        return names.remove(name);
    }

    @Override
    public boolean confirm(String name) {
        return true; // nothing to confirm: a name is in progress from add to remove
    }

    @Override
    public void clear() {
        names.clear();
    }
}
