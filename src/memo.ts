/**
 * The memoisation helpers: the value cached under `key`, made by `make` on first use; and an entry
 * stored as the newest of a Map that drops its oldest first.
 *
 * @module
 */

/** A Map or WeakMap. */
interface Cache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** Returns `cache.get(key)`, first storing `make()` there if absent. */
export function cached<K, V>(cache: Cache<K, V>, key: K, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/**
 * Stores `value` under `key` as the newest entry of `map`: a Map keeps its keys in the order they
 * were inserted, so a cache that drops its first keys drops the least recently stored.
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}
