import type { Kafka } from 'kafkajs';

/** The app's one kafkajs client (created at bootstrap, after its topics are ensured). */
export const KAFKA = Symbol('tally:kafka');
export type { Kafka };
