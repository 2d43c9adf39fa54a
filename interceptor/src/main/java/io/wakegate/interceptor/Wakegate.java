package io.wakegate.interceptor;

public final class Wakegate {
    public static void main(String[] args) {
    }
}
