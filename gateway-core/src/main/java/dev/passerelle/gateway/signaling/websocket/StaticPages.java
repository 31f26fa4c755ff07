package dev.passerelle.gateway.signaling.websocket;

import java.net.URL;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The demo page and the JS SDK: the class-path folder {@value #FOLDER} served read-only at
 * {@code /}. Jetty's {@link ResourceHandler} does the serving, so path normalisation, refusal of
 * {@code ..} and of encoded ambiguous segments, HEAD, conditional GET and ranges are Jetty's, and
 * work the same from {@code target/classes} and from inside the shaded jar.
 *
 * <p>Promises: GET and HEAD only (any other method falls through to 404); {@code /} is {@code
 * index.html}; no directory listing; {@code Cache-Control: no-cache} on every file, so a reload
 * always revalidates (the files change with the jar, and a demo must never run a stale SDK);
 * JavaScript as {@code text/javascript}, TypeScript declarations as {@code
 * application/typescript}, both UTF-8.
 */
final class StaticPages {

    static final String FOLDER = "web/";

    private StaticPages() {}

    /** The handler for {@code server}; Jetty closes the jar mount with the server. */
    static ResourceHandler handler(Server server) {
        URL folder = StaticPages.class.getClassLoader().getResource(FOLDER);
        if (folder == null) {
            throw new IllegalStateException("class-path folder " + FOLDER + " is missing: the build lost the web pages");
        }
        Resource base = ResourceFactory.of(server).newResource(folder);
        ResourceHandler pages = new ResourceHandler();
        pages.setBaseResource(base);
        pages.setDirAllowed(false);
        pages.setWelcomeFiles("index.html");
        pages.setCacheControl("no-cache");
        // ResourceHandler takes the server's types when it starts, whatever was set on it before.
        addMimeTypes(server.getMimeTypes());
        return pages;
    }

    private static void addMimeTypes(MimeTypes.Mutable types) {
        // The charset rides in the mapping: Jetty's resource serving sends the mapped type as it
        // is, and these files are UTF-8 (the page says so too, but the module scripts need it).
        types.addMimeMapping("html", "text/html;charset=utf-8");
        types.addMimeMapping("css", "text/css;charset=utf-8");
        types.addMimeMapping("js", "text/javascript;charset=utf-8");
        types.addMimeMapping("mjs", "text/javascript;charset=utf-8");
        // Jetty knows no ".ts"; in this folder it can only be TypeScript (passerelle.d.ts), never
        // the MPEG transport stream that other servers map it to.
        types.addMimeMapping("ts", "application/typescript;charset=utf-8");
    }
}
