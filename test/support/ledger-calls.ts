import { call } from './http';
import { unique } from './wait';

/** Grants `amount` gift credits to the user through the credit-store's API; its event_id. */
export async function giftGrant(
  storeUrl: string,
  user: string,
  amount: number,
  expires_at?: string | null,
): Promise<string> {
  const event_id = unique('grant');
  const answer = await call('POST', `${storeUrl}/accounts/${user}/grants`, {
    body: { event_id, amount, source: 'gift', expires_at },
  });
  expect(answer.status).toBe(201);
  return event_id;
}

/** The user's account as GET /accounts/{id} answers it. */
export async function accountOf<T>(storeUrl: string, user: string): Promise<T> {
  return (await call<T>('GET', `${storeUrl}/accounts/${user}`)).body;
}
