// Types of scripts/embed-budget.mjs (plain JavaScript: scripts/build-embed.mjs runs before any TypeScript tooling is loaded).

/** The loader's budget: 5 KB gzipped, in bytes. */
export const EMBED_LOADER_BUDGET_GZIP_BYTES: number;

/**
 * Measures `contents` gzipped (level 9) against `budgetBytes` (default EMBED_LOADER_BUDGET_GZIP_BYTES): the size, and
 * when it is over the budget the sentence the build fails with, naming the file, its gzipped size and the budget.
 */
export function checkGzipBudget(file: string, contents: Uint8Array, budgetBytes?: number): { gzipBytes: number; problem: string | null };
