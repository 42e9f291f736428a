// The event catalogue's public surface: types, validators, answers and fixtures for every Aghanim event.
export {
  type AnswerBodyFor,
  type AnswerCheck,
  type AnswerFor,
  type PlayerLookupAnswer,
  type PlayerUpdateAnswer,
  type PlayerVerifyAnswer,
  playerLookupAnswer,
  playerUpdateAnswer,
  playerVerifyAnswer,
  type StoreGetAnswer,
  storeGetAnswer,
  validateAnswer,
} from './answers.js'
export {
  answerKindOf,
  type Catalogue,
  catalogue,
  type DecisionEventType,
  type EventData,
  type EventType,
  eventTypes,
  isDecisionEvent,
  isEventType,
  matchesPattern,
  type SubscriptionPattern,
  subscriptionPatterns,
} from './catalogue.js'
export type { AnswerKind, EventDefinition, EventKind } from './define.js'
export {
  type AnyWebhookEvent,
  type Envelope,
  envelopeSchema,
  type ParseEventResult,
  parseEvent,
  type WebhookEvent,
} from './envelope.js'
export { type DeepPartial, type FixtureOptions, fixtureEvent } from './fixtures.js'
export {
  eventsJsonSchema,
  eventsJsonSchemaText,
  JSON_SCHEMA_DIALECT,
  type JsonSchema,
} from './json-schema.js'
export type { Item } from './shared.js'
