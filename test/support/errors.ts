// The code of the library error a call throws, for tests that compare codes: `'no error'` when it
// returns, `undefined` for an error that is not one of the library's (errorCode).
import { errorCode } from '../../src/index.js';

export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return errorCode(e);
  }
  return 'no error';
}
