/**
 * The Wakegate controller binary: {@link io.wakegate.controller.ControllerMain} parses flags,
 * campaigns for leadership and starts {@link io.wakegate.controller.reconcile.Controller} when
 * elected. Everything else lives in the feature packages: {@code crd}, {@code desired},
 * {@code status}, {@code reconcile}, {@code kube}, and {@code admin} (health, readiness, metrics).
 */
package io.wakegate.controller;
