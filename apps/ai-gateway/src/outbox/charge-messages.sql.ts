/**
 * The outbox rows of the charges a statement has just inserted: one message per new charge, its
 * sequence written into the envelope. It runs inside the charge's own statement
 * (ChargeRepository.recordBatch), so a charge and its message commit together, in one round trip.
 * `numbered` (the charges with envelope, key bucket, request id, sequence, ord) and `inserted`
 * (their new event ids) are CTEs of that statement; `topic` and `eventType` its parameters.
 */
export function queueChargeMessages(topic: string, eventType: string): string {
  return `INSERT INTO outbox (event_id, topic, message_key, key_bucket, event_type, payload,
                              request_id)
          SELECT n.event_id, ${topic}, n.user_id, n.key_bucket, ${eventType},
                 jsonb_set(n.envelope, '{payload,sequence}', to_jsonb(n.sequence)), n.request_id
            FROM numbered n JOIN inserted USING (event_id)
           ORDER BY n.ord`;
}
