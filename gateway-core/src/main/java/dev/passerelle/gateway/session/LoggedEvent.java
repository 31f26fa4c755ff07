package dev.passerelle.gateway.session;

/** One event of a session's log: its sequence number and the frame sent to the client. */
public record LoggedEvent(long seq, String frame) {}
