/** Rewrites every `<!-- layout:Name -->…<!-- /layout -->` region of `markdown` from `lib` (the library's exports). */
export function renderLayoutRegions(markdown: string, lib: Record<string, unknown>): string;
/** The example schemas, by name: TypeScript source that is also JavaScript once its import line is dropped. */
export const EXAMPLES: Readonly<Record<string, string>>;
