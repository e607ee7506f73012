import { isIPv6 } from 'node:net';

/**
 * Who is asking, for per-client limits: the socket's address, or, behind a reverse proxy
 * the operator trusts (TRUST_PROXY=1), the address that proxy saw. Without that setting
 * X-Forwarded-For is ignored: any client could write anything there.
 */
export function clientIdentity(request: Request, socketAddress: string | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    // The last entry is the one our proxy added; entries before it came from the client.
    const forwarded = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return limitKey(forwarded.slice(0, 64));
  }
  return socketAddress ? limitKey(socketAddress) : 'unknown';
}

/**
 * One key per party that controls an address: an IPv4 address (also when written as
 * `::ffff:a.b.c.d`), or an IPv6 /64 — a single host is usually handed a whole /64, so
 * keying by full address would let it step around every limit.
 */
export function limitKey(address: string): string {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
