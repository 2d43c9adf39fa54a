package io.wakegate.benchmarks.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the load mains print: the same text to standard output and, when given, to a file. */
public final class Output {

    private Output() {
    }

    /** Prints {@code text}; also writes it to {@code file} unless that is null. */
    public static void emit(String text, String file) throws IOException {
        System.out.print(text);
        System.out.flush();
        if (file != null) {
            Files.writeString(Path.of(file), text);
        }
    }
}
