// The struct bench/async-wait.mjs shares with its waiting processes (async-wait-peer.mjs).
import { i32, mutex, semaphore, struct } from '../dist/index.js';

/** lock @0 (word 0), go @4, done @8, waiting @12, quit @16, pid @20. */
export const Bench = struct({ lock: mutex(), go: semaphore(0), done: semaphore(0), waiting: i32, quit: i32, pid: i32 }, { name: 'Bench' });
