package hello;

import java.util.List;

/** Entry point of the hello-javac example: prints a greeting, a computed value and its args. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("Hello from hello-javac 1.0");
        // Something computed, so the output proves the compiled code ran (not just a resource).
        System.out.println("fib(30) = " + fib(30));
        System.out.println("args = " + List.of(args));
    }

    static long fib(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n; i++) {
            long next = a + b;
            a = b;
            b = next;
        }
        return a;
    }
}
