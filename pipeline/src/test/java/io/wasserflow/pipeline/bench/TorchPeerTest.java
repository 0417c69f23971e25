package io.wasserflow.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the benchmark picks its PyTorch and installs it without network. */
class TorchPeerTest {
    @Test
    void theNewestTorchWins() {
        assertTrue(TorchPeer.versionKey("2.13.0+cpu").compareTo(TorchPeer.versionKey("1.13.1")) > 0);
        assertTrue(TorchPeer.versionKey("2.13.0").compareTo(TorchPeer.versionKey("2.9.1")) > 0, "numerically, not as text");
    }

    @Test
    void localIndexesReplacePyPiAndFindLinksStay() {
        TorchPeer.PipConfig pip = new TorchPeer.PipConfig(List.of(Path.of("/opt/wheels")), List.of("file:///opt/pypi/simple", "file:///opt/more/simple"));
        assertEquals(List.of("--index-url", "file:///opt/pypi/simple", "--extra-index-url", "file:///opt/more/simple", "--find-links", "/opt/wheels"),
                pip.offlineIndexArguments());
        TorchPeer.PipConfig remoteOnly = new TorchPeer.PipConfig(List.of(Path.of("/w")), List.of("https://pypi.org/simple"));
        assertEquals(List.of("--no-index", "--find-links", "/w"), remoteOnly.offlineIndexArguments(), "never the network");
    }
}
