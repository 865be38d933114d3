// `publisher` and `subscriber`: a local pub/sub pair on one node's Router.
import { z } from 'zod';
import type { EngineFactory } from '../engine.js';
import { jsonBody } from '../node.js';
import { engineSpec, firings, parseParams } from './params.js';

const PublisherParams = z.strictObject({
  topic: z.string().min(1),
  intervalMs: z.number().positive().default(1000),
  /** Events to publish; 0 = until the run ends. */
  count: z.number().int().nonnegative().default(0),
  sizeBytes: z.number().int().nonnegative().max(1 << 20).default(0),
});

const SubscriberParams = z.strictObject({ topic: z.string().min(1) });

/** What validate checks of a `publisher` engine: events published over the run. */
export const PUBLISHER_SPEC = engineSpec(PublisherParams, { load: (options, run) => 2 * firings(options.intervalMs, run.durationMs, options.count) });

/** What validate checks of a `subscriber` engine. */
export const SUBSCRIBER_SPEC = engineSpec(SubscriberParams);

export const createPublisherEngine: EngineFactory = (params, env) => {
  const options = parseParams('publisher', PublisherParams, params);
  const topic = env.topic(options.topic);
  // Claimed when built: a deployer hands a topic's key only to the nodes whose engines claim it.
  const topicKey = env.topicKey?.(options.topic);
  const padding = 'x'.repeat(options.sizeBytes);
  let published = 0;
  return {
    handle(input, ctx) {
      if (input.kind === 'start') {
        // The publisher creates its topic; with a PubSub engine on the node it is advertised (S12).
        if (topicKey !== undefined) ctx.createTopic(topicKey, { scope: 'any' });
        ctx.setTimer(options.intervalMs, 'publish');
      }
      if (input.kind !== 'timer') return;
      published++;
      ctx.publish(topic, jsonBody({ n: published, padding }));
      if (options.count === 0 || published < options.count) ctx.setTimer(options.intervalMs, 'publish');
    },
  };
};

export const createSubscriberEngine: EngineFactory = (params, env) => {
  const options = parseParams('subscriber', SubscriberParams, params);
  const topic = env.topic(options.topic);
  return {
    handle(input, ctx) {
      if (input.kind === 'start') ctx.subscribe(topic);
    },
  };
};
