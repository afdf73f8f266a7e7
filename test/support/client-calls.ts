/** Reads a stream to its end, or until `cap` items; answers what came and how it ended. */
export async function drain<T>(stream: AsyncIterable<T>, cap = Infinity) {
  const items: T[] = [];
  let failure: unknown;
  try {
    for await (const item of stream) {
      items.push(item);
      if (items.length >= cap) break;
    }
  } catch (error) {
    failure = error;
  }
  return { items, failure };
}

/** How many of parallel SDK calls were served, and how many the SDK rejected with `status`. */
export function servedAndRefused(answers: PromiseSettledResult<unknown>[], status: number) {
  return {
    served: answers.filter((a) => a.status === 'fulfilled').length,
    refused: answers.filter(
      (a) => a.status === 'rejected' && (a.reason as { status?: number }).status === status,
    ).length,
  };
}
