import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { RepeatedDocumentCache } from '../../api/document-cache.js';

/** The parse cache keeps a document only once its text repeats, and stays bounded. */
describe('repeated-document cache', () => {
  it('keeps nothing for a text seen once, and the document from its second time on', () => {
    const cache = new RepeatedDocumentCache();
    const text = '{ clusters(at: "2024-01-01T00:00:00Z") { at } }';
    const first = parse(text);
    cache.set(text, first);
    expect(cache.get(text)).toBeUndefined();
    const second = parse(text);
    cache.set(text, second);
    expect(cache.get(text)).toBe(second);
    expect(cache.get('{ other }')).toBeUndefined();
  });

  it('forgets the oldest texts and documents past its bound', () => {
    const cache = new RepeatedDocumentCache();
    const doc = parse('{ a }');
    for (let i = 0; i < 3000; i++) {
      cache.set(`{ a(n: ${i}) }`, doc);
      cache.set(`{ a(n: ${i}) }`, doc);
    }
    expect(cache.get('{ a(n: 0) }')).toBeUndefined();
    expect(cache.get('{ a(n: 2999) }')).toBe(doc);
    // A text remembered long ago is new again: kept only on its next repeat.
    cache.set('{ a(n: 0) }', doc);
    expect(cache.get('{ a(n: 0) }')).toBeUndefined();
  });
});
