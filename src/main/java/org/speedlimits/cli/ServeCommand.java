package org.speedlimits.cli;

import org.speedlimits.serve.LiveServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code serve [--root outputs] [--port 8000] [--bind 127.0.0.1]}: the live view of runs and sweeps (docs/serve.md). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Live view in the browser of every run and sweep under a folder: states, progress and curves "
                + "that grow while runs write. Read-only; binds to this machine only unless --bind says otherwise. "
                + "From a cluster: ssh -L 8000:127.0.0.1:8000 login-node, then open http://localhost:8000/ "
                + "(docs/serve.md).")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--root", defaultValue = "outputs", paramLabel = "DIR",
            description = "folder whose runs and sweeps are shown; nothing outside it is served (default: ${DEFAULT-VALUE})")
    Path root;

    @Option(names = "--port", defaultValue = "8000", paramLabel = "N",
            description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 exposes the "
                    + "runs to everyone who can reach this machine)")
    String bind;

    @Option(names = "--stale-after", defaultValue = "900", paramLabel = "SECONDS",
            description = "a 'running' run on another host whose folder was not written for this long is shown as "
                    + "stale (default: ${DEFAULT-VALUE})")
    long staleAfter;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Files.isDirectory(root)) {
            throw new ParameterException(spec.commandLine(), "--root " + root + " is not a folder (runs are written "
                    + "to outputs/ by default; give the folder that holds them)");
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0-65535, got " + port);
        }
        if (staleAfter <= 0) {
            throw new ParameterException(spec.commandLine(), "--stale-after must be positive, got " + staleAfter);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--bind " + bind + " is not an address of this machine");
        }
        LiveServer server;
        try {
            server = new LiveServer(root, address, port, Duration.ofSeconds(staleAfter));
        } catch (BindException e) {
            throw new ParameterException(spec.commandLine(), "cannot listen on " + bind + ":" + port + " ("
                    + e.getMessage() + "): another server there? pass --port N, or --port 0 for a free one");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "serve-stop"));
        server.start();
        PrintWriter out = spec.commandLine().getOut();
        String host = address.isLoopbackAddress() ? "127.0.0.1" : address.getHostAddress();
        out.printf("serving %s at http://%s:%d/ (read-only; Ctrl-C stops)%n", server.root(),
                host.contains(":") ? "[" + host + "]" : host, server.address().getPort());
        if (!address.isLoopbackAddress()) {
            out.printf("warning: listening on %s: everyone who can reach this machine can read the runs under %s%n",
                    bind, server.root());
        }
        out.flush();
        stopped.await();
        return 0;
    }
}
