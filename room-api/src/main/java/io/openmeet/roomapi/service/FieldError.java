package io.openmeet.roomapi.service;

/** One invalid field of a request: its JSON name (or query parameter) and what is wrong. */
public record FieldError(String field, String message) {}
