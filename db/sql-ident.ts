/** Quotes an SQL identifier (table/column name) for text we build ourselves. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
