// The code of the library error a call throws, for tests that compare codes: `'no error'` when it
// returns, `not coded: <the error>` for an error that is not one of the library's (errorCode), so
// that a failing comparison shows what was thrown instead; and the error itself (thrown) for tests
// that look at it.
import { errorCode } from '../../src/index.js';

function codeOfError(e: unknown): string {
  return errorCode(e) ?? `not coded: ${String(e)}`;
}

export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return codeOfError(e);
  }
  return 'no error';
}

/** The error `f` throws, whatever it is (undefined when it returns). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

export async function codeOfAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    return codeOfError(e);
  }
  return 'no error';
}
