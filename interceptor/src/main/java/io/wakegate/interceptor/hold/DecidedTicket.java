package io.wakegate.interceptor.hold;

/**
 * The ticket of a request the gate decided at once — admitted to a ready endpoint or rejected —
 * whose holder heard the outcome before {@link RouteGate#admit} returned: nothing is left to wait,
 * time or cancel, so the warm path makes no ticket of its own. Stateless constants.
 */
enum DecidedTicket implements Ticket {
    ADMITTED(State.ADMITTED),
    REJECTED(State.REJECTED);

    private final State state;

    DecidedTicket(State state) {
        this.state = state;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public boolean waited() {
        return false;
    }

    @Override
    public void cancel() {
        // decided: nothing to withdraw
    }
}
