import type { DocumentNode } from 'graphql';

/** Texts remembered, and documents kept (each the most recently used). */
const MAX_ENTRIES = 1024;

/**
 * yoga's parse cache (`parserAndValidationCache.documentCache`) that keeps a parsed document only
 * once its text comes a second time. yoga's own LRU kept every document it parsed: under
 * uncached load every request's text is new (another time, price or market inline), so each
 * kept AST (a few hundred objects) lived through ~1,000 requests into the old generation and
 * was never asked for again. A text seen once is remembered as the string alone; a repeated one
 * (a dashboard's query with variables, a retry) is served parsed from its second time on.
 * Measured on uncached load (2026-12-04, load ~3.4; the API process's CPU per request, medians
 * of 5 alternated rounds of 4,000 requests against yoga's LRU): clusters 435 vs 455 µs (−4%),
 * liquidation map 553 vs 590 µs (−6%); a second run at load ~5 (without graphql-jit, against
 * main) read 498 vs 510 µs and 693 vs 693 µs, so count on a few per cent at most.
 */
export class RepeatedDocumentCache {
  readonly #seen = new Set<string>();
  readonly #documents = new Map<string, DocumentNode>();

  get(text: string): DocumentNode | undefined {
    const d = this.#documents.get(text);
    if (d) {
      this.#documents.delete(text);
      this.#documents.set(text, d);
    }
    return d;
  }

  set(text: string, document: DocumentNode): void {
    if (!this.#seen.has(text)) {
      if (this.#seen.size >= MAX_ENTRIES) this.#seen.delete(this.#seen.values().next().value!);
      this.#seen.add(text);
      return;
    }
    if (this.#documents.size >= MAX_ENTRIES) this.#documents.delete(this.#documents.keys().next().value!);
    this.#documents.set(text, document);
  }
}
