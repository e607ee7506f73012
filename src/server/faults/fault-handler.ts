import type { SiteConfig } from '../config.ts';
import { assertAllowedOrigin } from '../http/allowed-origin.ts';
import { badRequest, jsonResponse } from '../http/http-error.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { createRateLimiter } from '../limits/rate-limiter.ts';
import { TAB_ID, type FaultKind, type FaultSwitchboard } from './fault-switchboard.ts';

const BODY_MAX_BYTES = 256;
const FAULT_KINDS: readonly FaultKind[] = ['fail-next-poll'];

/** `POST /api/faults` with `{"tab": "…", "fault": "fail-next-poll"}`: arms a fault for that tab only. */
export function createFaultHandler({
  faults,
  config,
}: {
  faults: FaultSwitchboard;
  config: Pick<SiteConfig, 'perClientLimits' | 'allowedOrigins'>;
}) {
  const limiter = createRateLimiter({ perSecond: 1, burst: 5, enabled: config.perClientLimits });
  return async function handleFaultRequest(request: Request, client: string): Promise<Response> {
    assertAllowedOrigin(request, config.allowedOrigins);
    const body = await readJsonBody(request, BODY_MAX_BYTES);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest('expected a JSON object like {"tab": "…", "fault": "fail-next-poll"}');
    }
    const { tab, fault, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw badRequest(`unknown field "${unknown[0]!.slice(0, 40)}"; expected tab and fault`);
    if (typeof tab !== 'string' || !TAB_ID.test(tab)) throw badRequest('"tab" must be 8–32 characters of a-z and 0-9');
    if (typeof fault !== 'string' || !FAULT_KINDS.includes(fault as FaultKind)) {
      throw badRequest(`"fault" must be one of: ${FAULT_KINDS.join(', ')}`);
    }
    limiter.take(client, 'faults');
    faults.arm(tab, fault as FaultKind);
    return jsonResponse({ armed: fault, tab }, { status: 202 });
  };
}
