export declare const RUNTIMES: {
  readonly node20: { readonly pkg: string; readonly bin: string };
  readonly node22: { readonly pkg: string; readonly bin: string };
  readonly node24: { readonly pkg: string; readonly bin: string };
  readonly node26: { readonly pkg: string; readonly bin: string };
  readonly bun: { readonly pkg: string; readonly bin: string };
  readonly deno: { readonly pkg: string; readonly bin: string };
};
export type RuntimeName = keyof typeof RUNTIMES;
export declare function runtimeBinary(name: RuntimeName): string;
export declare function fetchRuntime(name: RuntimeName): string;
