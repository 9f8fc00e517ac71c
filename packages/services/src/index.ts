/** Reference services (relay, replay, storage) and the load generator; built in the next issue. */
export {};
