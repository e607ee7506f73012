/**
 * Checks the `Host` header before anything builds a URL from it (the framework builds the
 * request URL from Host, so a Host carrying a path would choose another route).
 * RFC 9110 §7.2: `Host = uri-host [ ":" port ]`, and a request with more than one Host
 * field is invalid (RFC 9112 §3.2: answer 400). Host names the server does not serve get
 * 421 Misdirected Request (RFC 9110 §15.5.20): the defence against DNS rebinding.
 */

/** A refusal: the status and the reason sent as `{ "error": reason }`. */
export interface HostRefusal {
  status: 400 | 421;
  reason: string;
}

// #region host-header
// uri-host is an IP-literal in brackets, or a reg-name (which also covers IPv4), RFC 3986 §3.2.2.
const IP_LITERAL = String.raw`\[[0-9A-Fa-f:.]{2,45}\]`;
const REG_NAME = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2}){1,255}`;
const HOST_FIELD = new RegExp(`^(${IP_LITERAL}|${REG_NAME})(?::(\\d{0,5}))?$`);

/**
 * @param values every Host field line received (from Node's `req.rawHeaders`), or none
 * @param httpVersion `1.0` may omit Host; `1.1` must send exactly one (RFC 9112 §3.2)
 * @param allowedHosts lower-case host names without port, or `null` for any
 * @returns the refusal, or `undefined` when the request may go on
 */
export function refuseHost(values: readonly string[] | undefined, httpVersion: string, allowedHosts: readonly string[] | null): HostRefusal | undefined {
  if (!values || values.length === 0) {
    return httpVersion === '1.0' ? undefined : { status: 400, reason: 'the Host header is missing' };
  }
  if (values.length > 1) return { status: 400, reason: 'the request has more than one Host header' };
  const match = HOST_FIELD.exec(values[0]!);
  if (!match || (match[2] !== undefined && match[2] !== '' && Number(match[2]) > 65_535)) {
    return { status: 400, reason: 'the Host header must be host[:port], with nothing else' };
  }
  const name = match[1]!.toLowerCase();
  if (allowedHosts !== null && !allowedHosts.includes(name)) {
    return { status: 421, reason: `this server does not serve the host name ${name.slice(0, 80)}; see ALLOWED_HOSTS` };
  }
  return undefined;
}
// #endregion host-header
