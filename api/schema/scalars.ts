import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { LITERAL_IS_TEXT } from '../plugins/compiled-queries.js';

const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)$/;

/** Epoch microseconds → ISO-8601 UTC with the sub-millisecond digits kept (`…T00:00:00.123456Z`). */
export function isoFromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  return micro === 0 ? iso : `${iso.slice(0, -1)}${String(micro).padStart(3, '0')}Z`;
}

/** Earliest and latest time a DateTime input may name (epoch ms): 1970-01-01 to 9999-12-31 UTC. */
export const MIN_DATETIME_MS = 0;
export const MAX_DATETIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * ISO-8601 text → epoch microseconds; throws a caller-facing error when it is not a time, or
 * not one from 1970 to 9999 (year 0 or -271821 parse in JavaScript, and Postgres refuses them).
 */
export function microsFromIso(text: string): number {
  const m = /^(.*?)(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/.exec(text.trim());
  const base = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
  if (!m || Number.isNaN(base)) {
    throw new GraphQLError(`"${text.slice(0, 40)}" is not an ISO-8601 time with a zone, e.g. 2024-01-01T00:00:00Z`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (base < MIN_DATETIME_MS || base > MAX_DATETIME_MS) {
    throw new GraphQLError(`"${text.slice(0, 40)}" is outside 1970-01-01T00:00:00Z … 9999-12-31T23:59:59Z, the times this API takes`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return base * 1000 + (m[2] ? Number(m[2].padEnd(6, '0')) : 0);
}

/** `DateTime`: ISO-8601 UTC text on output (microseconds when present); ISO-8601 with a zone on input. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A point in time as ISO-8601 UTC text, e.g. `2024-01-01T00:00:00.123456Z` (microsecond precision). Inputs need a zone (`Z` or `+hh:mm`) and lie from 1970-01-01 to 9999-12-31.',
  serialize(v) {
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'number') return isoFromMicros(v);
    if (typeof v === 'string') return v;
    throw new TypeError('DateTime cannot represent this value');
  },
  parseValue(v) {
    if (typeof v !== 'string') throw new GraphQLError('DateTime must be an ISO-8601 string', { extensions: { code: 'BAD_USER_INPUT' } });
    return microsFromIso(v);
  },
  // A literal's text and a variable's string parse the same (useCompiledQueries hoists literals into variables).
  extensions: { [LITERAL_IS_TEXT]: true },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string', { extensions: { code: 'BAD_USER_INPUT' } });
    return microsFromIso(ast.value);
  },
});

function parseDecimal(v: unknown): string {
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!DECIMAL.test(s)) throw new GraphQLError(`"${String(v).slice(0, 40)}" is not a decimal number`, { extensions: { code: 'BAD_USER_INPUT' } });
  return s;
}

/** `Decimal`: an exact decimal number as a string (no float rounding). */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'An exact decimal number as a string, e.g. `"42000.10"`. The unit is given by each field.',
  serialize(v) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    if (v && typeof (v as { toFixed?: unknown }).toFixed === 'function') return (v as { toFixed(): string }).toFixed();
    throw new TypeError('Decimal cannot represent this value');
  },
  parseValue: parseDecimal,
  extensions: { [LITERAL_IS_TEXT]: true },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be a string or a number', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
