package dev.passerelle.gateway.session;

/**
 * Whether a store can serve now, for the health endpoint.
 *
 * @param up true when the store answers
 * @param detail what an operator needs to read: where the data lives, or why it is unreachable
 */
public record StoreStatus(boolean up, String detail) {}
