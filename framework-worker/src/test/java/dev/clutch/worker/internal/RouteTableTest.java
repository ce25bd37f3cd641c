package dev.clutch.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.Request;
import dev.clutch.worker.api.Route;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    static final class AnyHandler implements Handler {
        @Override
        public Object handle(Request request) {
            return "";
        }
    }

    private static Route route(String method, String path) {
        return new Route(method, path, AnyHandler.class, false);
    }

    private static final Route HEALTH = route("GET", "/health");
    private static final Route FLAG = route("GET", "/flags/{name}");
    private static final Route NEW_FLAG_FORM = route("POST", "/flags/new");
    private static final Route NEW_FLAG = route("GET", "/flags/new");
    private static final Route PUT_FLAG = route("PUT", "/flags/{name}");
    private static final Route ROOT = route("GET", "/");

    private final RouteTable table = new RouteTable(List.of(FLAG, PUT_FLAG, NEW_FLAG_FORM, HEALTH, ROOT, NEW_FLAG));

    private RouteTable.Found found(String method, String path) {
        return assertInstanceOf(RouteTable.Found.class, table.match(method, path), method + " " + path);
    }

    @Test
    void aLiteralPathIsFoundWithATrailingSlashAndForHead() {
        assertEquals(HEALTH, found("GET", "/health").route());
        assertEquals(HEALTH, found("GET", "/health/").route());
        assertEquals(HEALTH, found("HEAD", "/health").route());
        assertEquals(Map.of(), found("GET", "/health").params());
        assertEquals(ROOT, found("GET", "/").route());
    }

    @Test
    void parametersBindAndLiteralSegmentsWinOverThem() {
        assertEquals(FLAG, found("GET", "/flags/dark-mode").route());
        assertEquals(Map.of("name", "dark-mode"), found("GET", "/flags/dark-mode").params());
        assertEquals(NEW_FLAG, found("GET", "/flags/new").route());
        assertEquals(NEW_FLAG_FORM, found("POST", "/flags/new").route());
    }

    @Test
    void aLiteralPathWithOtherMethodsStillReachesAParameterRouteThatTakesThisOne() {
        RouteTable formOnly = new RouteTable(List.of(FLAG, NEW_FLAG_FORM));
        RouteTable.Found match = assertInstanceOf(RouteTable.Found.class, formOnly.match("GET", "/flags/new"));
        assertEquals(FLAG, match.route());
        assertEquals(Map.of("name", "new"), match.params());
    }

    @Test
    void theRawPathIsSplitBeforeItsSegmentsAreDecoded() {
        assertEquals(Map.of("name", "a/b c+d"), found("GET", "/flags/a%2Fb%20c+d").params());
        assertEquals(NEW_FLAG, found("GET", "/flags/ne%77").route(), "an encoded literal segment is that segment");
        assertInstanceOf(RouteTable.NotFound.class, table.match("GET", "/flags%2Fx"), "one segment, not two");
        assertThrows(IllegalArgumentException.class, () -> table.match("GET", "/flags/%zz"));
    }

    @Test
    void anEmptySegmentBindsNoParameter() {
        assertInstanceOf(RouteTable.NotFound.class, table.match("GET", "/flags/"));
        assertInstanceOf(RouteTable.NotFound.class, table.match("GET", "/flags//x"));
        assertInstanceOf(RouteTable.NotFound.class, table.match("GET", "/nowhere"));
    }

    @Test
    void anotherMethodIsNotAllowedNamingEveryMethodThePathTakesHeadWithGet() {
        RouteTable.MethodNotAllowed notAllowed = assertInstanceOf(RouteTable.MethodNotAllowed.class,
                table.match("DELETE", "/flags/new"));
        assertEquals(List.of("GET", "HEAD", "POST", "PUT"), List.copyOf(notAllowed.allowed()));
        assertEquals(Set.of("GET", "HEAD"), assertInstanceOf(RouteTable.MethodNotAllowed.class,
                table.match("POST", "/health")).allowed());
    }

    @Test
    void aHeadRouteOfItsOwnWinsOverTheGetRouteOfItsPathWhateverTheOrder() {
        Route headFlag = route("HEAD", "/flags/{name}");
        Route headHealth = route("HEAD", "/health");
        for (List<Route> declared : List.of(List.of(FLAG, headFlag, HEALTH, headHealth),
                List.of(headHealth, headFlag, HEALTH, FLAG))) {
            RouteTable withHead = new RouteTable(declared);
            assertEquals(headFlag, assertInstanceOf(RouteTable.Found.class, withHead.match("HEAD", "/flags/x"))
                    .route(), declared.toString());
            assertEquals(headHealth, assertInstanceOf(RouteTable.Found.class, withHead.match("HEAD", "/health"))
                    .route(), declared.toString());
            assertEquals(FLAG, assertInstanceOf(RouteTable.Found.class, withHead.match("GET", "/flags/x")).route());
        }
    }

    @Test
    void aRouteDeclaredTwiceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RouteTable(List.of(HEALTH, route("GET", "/health"))));
    }
}
