import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { hostOf, resolveHost } from './webhook-address';
import type { WebhookSettings } from './webhook-settings';

function refused(reason: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, `url ${reason}`, [`url: ${reason}`]);
}

/**
 * The checks of a webhook URL when it is set: https (or http when allowed), no credentials, and a
 * host that is not, and does not now resolve to, a private address. A host that does not resolve
 * yet is let through: every sending resolves and checks again.
 */
export async function checkWebhookUrl(text: string, settings: WebhookSettings): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused('must be an absolute URL');
  }
  const schemes = settings.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    throw refused(`must be ${settings.allowHttp ? 'https: or http:' : 'https:'}`);
  }
  if (url.username || url.password) throw refused('must not carry credentials');
  const verdict = await resolveHost(hostOf(url), settings.allowedHosts);
  if (!verdict.ok && !/does not resolve/.test(verdict.reason)) throw refused(verdict.reason);
  return url.toString();
}
