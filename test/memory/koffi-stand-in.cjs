// The koffi package as a process of async-wait-exit.test.ts finds it (from its working directory):
// the real one (SHAREDCTYPES_TEST_REAL_KOFFI), except that in a worker thread (the waiter thread)
// load() says so on the BroadcastChannel SHAREDCTYPES_TEST_BINDING_CHANNEL and then keeps binding
// functions for SHAREDCTYPES_TEST_BIND_MS ms: the thread sits in koffi's binding calls, the calls
// that abort the process when Node terminates the thread meanwhile, while its process ends.
const real = require(process.env.SHAREDCTYPES_TEST_REAL_KOFFI);
const { isMainThread } = require('node:worker_threads');

if (isMainThread) module.exports = real;
else {
  module.exports = Object.assign(Object.create(real), {
    load(path) {
      const lib = real.load(path);
      const channel = new BroadcastChannel(process.env.SHAREDCTYPES_TEST_BINDING_CHANNEL);
      channel.postMessage('binding');
      channel.close();
      const end = Date.now() + Number(process.env.SHAREDCTYPES_TEST_BIND_MS);
      while (Date.now() < end) lib.func('memmove', 'uint64_t', ['void *', 'void *', 'uint64_t']);
      return lib;
    },
  });
}
