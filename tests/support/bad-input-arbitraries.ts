import fc from 'fast-check';

/**
 * Generators of hostile and broken input for tests/http/bad-input.test.ts: what a fuzzer,
 * a confused client or an attacker would send. Each mixes a few hand-picked values known
 * to break parsers with random ones.
 */

/** Strings that have broken parsers before: NUL and control characters, lone surrogates, huge code points, markup. */
const KNOWN_TROUBLE = [
  '',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\ud800',
  'x\udfff',
  '\u202e\u2066',
  '\ufeff',
  '\u{10ffff}',
  '💩'.repeat(400),
  'é'.repeat(1_000),
  '%',
  '%zz',
  '%E0%A4',
  '%00',
  '%C0%80',
  '%ED%A0%80',
  '../../etc/passwd',
  '<img src=x onerror=alert(1)>',
  '__proto__',
  'constructor',
  '-1',
  '-0',
  '1e309',
  '0x10',
  ' 12',
  '1.5',
  'NaN',
  '9'.repeat(30),
  '9999999999',
];

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...KNOWN_TROUBLE),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** What fetch lets through in a header value (a ByteString without NUL, CR or LF); raw sockets send the rest. */
const isHeaderSafe = (text: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(text) && text.trim() === text;
const headerText = hostileText.filter(isHeaderSafe);

const PARAM_NAMES = ['room', 'after', 'timeout', 'interval', 'maxBytes', 'msg', 'timestamp', 'text', 'callback'];
const PARAM_VALUES = ['0', '1', '-1', '250', '4096', '5000', 'lobby', 'bad-input-a', '9999999999', 'abc', ''];

/** Percent-encodes when it can; a lone surrogate cannot be encoded and goes as it is. */
function encodeLoosely(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A query string (without "?"): name=value pairs from known and random names, or plain garbage. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...PARAM_NAMES), hostileText),
        fc.oneof(fc.constantFrom(...PARAM_VALUES), hostileText),
        fc.boolean(),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => pairs.map(([name, value, raw]) => (raw ? `${name}=${value}` : `${encodeLoosely(name)}=${encodeLoosely(value)}`)).join('&')),
  hostileText,
);

const INVALID_UTF8: number[][] = [
  [0xff],
  [0xc0, 0x80], // an overlong NUL
  [0xed, 0xa0, 0x80], // a surrogate, encoded
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xe2, 0x82], // cut short
];

/** A chat message as a client might shape it: right fields with wrong values, wrong fields, hostile text. */
export const chatDraft = fc.record(
  {
    text: fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }) },
      { weight: 3, arbitrary: hostileText },
      { weight: 1, arbitrary: fc.constantFrom('x'.repeat(300), 'x'.repeat(301), '💩'.repeat(150), '💩'.repeat(151), 42, null, ['hi']) },
    ),
    author: fc.oneof(hostileText, fc.constant('Ada'), fc.array(fc.string(), { maxLength: 2 })),
    room: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('bad-input-a', 'bad-input-b', 'bad-input-c') }, { weight: 1, arbitrary: hostileText }, { weight: 1, arbitrary: fc.integer() }),
    // An unknown field, now and then (JSON.stringify leaves out the undefined ones).
    extra: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
  },
  { requiredKeys: ['text'] },
);

/** Request bodies: random bytes, broken UTF-8, random JSON, chat-shaped JSON, oversized and deeply nested ones. */
export const body: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc
    .tuple(fc.constantFrom(...INVALID_UTF8), fc.string({ maxLength: 10 }))
    .map(([bad, text]) => Buffer.concat([Buffer.from(`{"text":"${text}`), Buffer.from(bad), Buffer.from('"}')])),
  fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  chatDraft.map((draft) => Buffer.from(JSON.stringify(draft))),
  chatDraft.map((draft) => Buffer.from(`\ufeff${JSON.stringify(draft)}`)), // a byte-order mark first
  fc.constantFrom(
    Buffer.from(`{"text":"${'x'.repeat(5_000)}"}`), // over BODY_MAX_BYTES
    Buffer.from('['.repeat(1_500)), // deep nesting, within the size limit
    Buffer.from('{"text":"hi"}{"text":"again"}'),
    Buffer.from('{"text":"hi","text":"twice"}'),
    Buffer.from('{"__proto__":{"text":"polluted"},"text":"hi"}'),
    Buffer.alloc(0),
  ),
);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON;CHARSET="UTF-8"',
    'application/json; charset=latin1',
    'application/json; boundary=x',
    'application/jsonx',
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ),
  headerText,
);

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'patch', 'PROPFIND', 'FOO'] as const;

/** Origins: none, the site's own, other sites, the opaque "null" of sandboxed frames, junk. */
export function origin(siteOrigin: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom(undefined, siteOrigin, 'https://evil.example', 'null', 'http://127.0.0.1', `${siteOrigin}.evil.example`),
    headerText,
  );
}

/** X-Forwarded-For (the test server trusts it): mostly fresh addresses, so per-client limits rarely interfere. */
export const forwardedFor: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.ipV4() },
  { weight: 1, arbitrary: fc.oneof(fc.ipV6(), headerText, fc.constant('1.2.3.4, 5.6.7.8')) },
);

/** Bytes for a raw request line or header: anything at all, or text with the hostile strings above. */
export const rawBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 60 }),
  hostileText.map((text) => Buffer.from(text, 'utf8')),
);

/**
 * A Host header assembled from parts, each either right or wrong by RFC 9110 §7.2
 * (`Host = uri-host [ ":" port ]`), with what the server must make of it: `malformed` (400),
 * `foreign` (a well-formed name the server does not serve: 421) or `served`.
 */
export function hostHeader(port: number) {
  return fc
    .record({
      userinfo: fc.constantFrom('', '', '', 'user@', 'user:secret@'),
      name: fc.constantFrom('127.0.0.1', 'localhost', 'LocalHost', '[::1]', 'evil.example', 'rebind.attacker.test', '10.0.0.1', '[::ffff:7f00:1]'),
      port: fc.constantFrom('', '', `:${port}`, ':', ':0', ':65535', ':65536', ':99999', ':4x', ':-1'),
      suffix: fc.constantFrom('', '', '', '/api/chat/messages#', '#top', '?a=1', '/', ' x', '\tx', '\\evil', '@evil.example'),
    })
    .map(({ userinfo, name, port: portPart, suffix }) => {
      const portOk = ['', `:${port}`, ':', ':0', ':65535'].includes(portPart);
      const wellFormed = userinfo === '' && portOk && suffix === '';
      const served = ['127.0.0.1', 'localhost', '[::1]'].includes(name.toLowerCase());
      const verdict = !wellFormed ? 'malformed' : served ? 'served' : 'foreign';
      return { value: `${userinfo}${name}${portPart}${suffix}`, verdict } as const;
    });
}
