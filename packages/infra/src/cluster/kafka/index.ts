// The Kafka bus: its facade, options and topic naming.
export { KafkaBus } from "./kafka-bus";
export type { KafkaBusOptions, KafkaBusCounters } from "./options";
export { topicFor, groupFor, TOPIC_PREFIX } from "./topics";
