package dev.passerelle.gateway.sdp;

import java.util.List;

/** {@code a=group} (RFC 5888 §5), e.g. BUNDLE (RFC 8843): a semantics and identification tags (mids). */
public record Group(String semantics, List<String> mids) {

    public Group {
        Syntax.token(semantics, "group semantics");
        mids = List.copyOf(mids);
        for (String mid : mids) {
            Syntax.token(mid, "group identification tag");
        }
    }

    static Group parse(String value) {
        List<String> f = Syntax.fields(value, "group");
        return new Group(f.get(0), f.subList(1, f.size()));
    }

    public boolean isBundle() {
        return "BUNDLE".equals(semantics);
    }

    @Override
    public String toString() {
        return mids.isEmpty() ? semantics : semantics + " " + String.join(" ", mids);
    }
}
