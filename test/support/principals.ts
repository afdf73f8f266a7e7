import { call } from './http';
import { unique } from './wait';

export interface IssuedPrincipal {
  id: string;
  name: string;
  role: string;
  token: string;
  created_at: string;
}

/** A new principal of the role (admin's call), with its token. */
export async function issuePrincipal(
  storeUrl: string,
  role: 'admin' | 'finance' | 'support' | 'service',
  daily_limit?: number,
): Promise<IssuedPrincipal> {
  const answer = await call<IssuedPrincipal>('POST', `${storeUrl}/admin/principals`, {
    body: {
      name: unique(role),
      role,
      ...(daily_limit !== undefined
        ? { daily_limit }
        : role === 'support'
          ? { daily_limit: 1_000_000 }
          : {}),
    },
  });
  expect(answer.status).toBe(201);
  return answer.body;
}
