/**
 * The first UTC day of the budget period `period` (a column or parameter) at instant `now`:
 * today, this week's Monday, the month's first day; `-infinity` for `total` (and no budget).
 */
export function periodStartSql(period: string, now: string): string {
  return `(CASE ${period}
             WHEN 'day' THEN date_trunc('day', ${now}::timestamptz AT TIME ZONE 'UTC')::date
             WHEN 'week' THEN date_trunc('week', ${now}::timestamptz AT TIME ZONE 'UTC')::date
             WHEN 'month' THEN date_trunc('month', ${now}::timestamptz AT TIME ZONE 'UTC')::date
             ELSE '-infinity'::date END)`;
}

/** The UTC minute of instant `now`: the window of rpm and tpm. */
export function minuteSql(now: string): string {
  return `date_trunc('minute', ${now}::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
}

/**
 * Key `$key`'s limits (and whether it is still valid: revoked_at, expires_at) and where it stands at instant `$now`, leaving out reservation `$except`:
 * credits charged in the current period, credits reserved and calls in flight (live reservations
 * naming the key), and the requests and tokens counted in the current minute.
 */
export function keyFiguresQuery(key: string, now: string, except: string): string {
  return `SELECT k.id, k.budget_credits, k.budget_period, k.rpm, k.tpm, k.max_parallel,
                 k.revoked_at, k.expires_at,
                 CASE WHEN p.start > '-infinity' THEN to_char(p.start, 'YYYY-MM-DD') END
                   AS period_from,
                 ${minuteSql(now)} AS minute,
                 (SELECT COALESCE(SUM(d.spent), 0) FROM key_spend d
                   WHERE d.api_key_id = k.id AND d.day >= p.start) AS spent,
                 r.reserved, r.in_flight,
                 COALESCE(m.requests, 0) AS requests, COALESCE(m.tokens, 0) AS tokens
            FROM api_keys k
           CROSS JOIN LATERAL (SELECT ${periodStartSql('k.budget_period', now)} AS start) p
           CROSS JOIN LATERAL (
                 SELECT COALESCE(SUM(x.amount), 0) AS reserved, count(*) AS in_flight
                   FROM reservations x
                  WHERE x.api_key_id = k.id AND x.expires_at > now()
                    AND x.id IS DISTINCT FROM ${except}::uuid) r
            LEFT JOIN key_minutes m ON m.api_key_id = k.id AND m.minute = ${minuteSql(now)}
           WHERE k.id = ${key}::uuid`;
}

/**
 * Which of the key's limits (figures row `k`) a call would pass, or NULL when none: a key revoked
 * or expired (at `now`) and the budget for every reservation (a stream growing its own too), rpm,
 * tpm and parallel only for a call that starts (`opening`).
 */
export function keyRefusalSql(
  k: string,
  amount: string,
  tokens: string,
  opening: string,
  now: string,
): string {
  return `(CASE
             WHEN ${k}.revoked_at IS NOT NULL THEN 'revoked'
             WHEN ${k}.expires_at <= ${now}::timestamptz THEN 'expired'
             WHEN ${opening} AND ${k}.rpm IS NOT NULL AND ${k}.requests >= ${k}.rpm THEN 'rpm'
             WHEN ${opening} AND ${k}.tpm IS NOT NULL AND ${k}.tokens + ${tokens} > ${k}.tpm
               THEN 'tpm'
             WHEN ${opening} AND ${k}.max_parallel IS NOT NULL
                  AND ${k}.in_flight >= ${k}.max_parallel THEN 'parallel'
             WHEN ${k}.budget_credits IS NOT NULL
                  AND ${k}.spent + ${k}.reserved + ${amount} > ${k}.budget_credits THEN 'budget'
           END)`;
}
