/** Logging set-up: Logback configured in code, without XML. */
package io.wakegate.interceptor.logging;
