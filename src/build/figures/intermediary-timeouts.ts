import { SITE_FIGURES } from './site-figures.ts';

/**
 * Default time limits of common proxies, CDNs and load balancers for a response that sends no
 * bytes, each with the documentation it comes from. The "Real networks" lesson renders them as
 * a table and compares each with the site's poll timeout. These are other products' documented
 * defaults, not this site's figures; check the linked page before relying on one.
 */
export interface IntermediaryTimeout {
  product: string;
  setting: string;
  /** The documented default, in milliseconds. */
  defaultMs: number;
  /** What it does to a held request that reaches the limit. */
  effect: string;
  source: { title: string; url: string };
}

export const INTERMEDIARY_TIMEOUTS: readonly IntermediaryTimeout[] = [
  {
    product: 'nginx (reverse proxy)',
    setting: 'proxy_read_timeout',
    defaultMs: 60_000,
    effect: 'Closes the upstream connection when nothing is read for that long between two reads; the browser gets 504.',
    source: { title: 'nginx ngx_http_proxy_module: proxy_read_timeout', url: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout' },
  },
  {
    product: 'AWS Application Load Balancer',
    setting: 'Connection idle timeout',
    defaultMs: 60_000,
    effect: 'Closes a client or target connection that sends or receives no data for that long.',
    source: {
      title: 'Elastic Load Balancing: Edit attributes for your Application Load Balancer, "Connection idle timeout"',
      url: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout',
    },
  },
  {
    product: 'Amazon CloudFront',
    setting: 'Response timeout (origin read timeout)',
    defaultMs: 30_000,
    effect: 'Gives up on the origin when its first byte (or the next one) takes longer; the browser gets 504.',
    source: {
      title: 'Amazon CloudFront Developer Guide: origin settings, "Response timeout"',
      url: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginResponseTimeout',
    },
  },
  {
    product: 'Cloudflare (proxied)',
    setting: 'Proxy Read Timeout',
    defaultMs: 100_000,
    effect: 'Answers the browser with its own 524 when the origin sends no response for that long.',
    source: {
      title: 'Cloudflare docs: Error 524, "A timeout occurred"',
      url: 'https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/',
    },
  },
];

// #region headroom
/** The shortest default in the table, and how far the site's poll timeout stays below it. */
export function pollTimeoutHeadroom(timeouts = INTERMEDIARY_TIMEOUTS, pollTimeoutMs = SITE_FIGURES.pollTimeout.value) {
  const shortest = timeouts.reduce((a, b) => (b.defaultMs < a.defaultMs ? b : a));
  return { shortest, headroomMs: shortest.defaultMs - pollTimeoutMs };
}
// #endregion headroom
