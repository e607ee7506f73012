import { badRequest } from './http-error.ts';

/**
 * Reads a request's query string strictly: unknown or repeated parameters are a
 * client mistake, reported with a 400 rather than silently ignored.
 */
export function readQuery(url: URL, allowed: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) {
      const expected = allowed.length ? allowed.join(', ') : 'no parameters';
      throw badRequest(`unknown query parameter "${truncate(name)}"; expected ${expected}`);
    }
    if (params.has(name)) throw badRequest(`query parameter "${name}" given more than once`);
    params.set(name, value);
  }
  return params;
}

export interface IntegerRange {
  min: number;
  max: number;
}

/** A whole number written in plain decimal digits within [min, max]; anything else is a 400. */
export function parseInteger(name: string, raw: string, { min, max }: IntegerRange): number {
  if (!/^-?\d{1,16}$/.test(raw)) {
    throw badRequest(`"${name}" must be a whole number; received "${truncate(raw)}"`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(`"${name}" must be between ${min} and ${max}; received ${truncate(raw)}`);
  }
  return value;
}

export function optionalInteger(
  params: Map<string, string>,
  name: string,
  range: IntegerRange,
): number | undefined {
  const raw = params.get(name);
  return raw === undefined ? undefined : parseInteger(name, raw, range);
}

/** Error messages echo input; keep them short. */
function truncate(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
