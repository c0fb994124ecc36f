/**
 * Cross-process test harness (regtest node, Postgres databases, monitors, managers).
 * See DESIGN.md; built with the chain-layer and monitor-service issues.
 */
export {};
