/**
 * The one memoisation helper: the value cached under `key`, made by `make` on first use.
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
