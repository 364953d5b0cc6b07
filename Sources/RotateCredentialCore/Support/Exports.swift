// FoundationEssentials (JSON, Date, URL, Data, FileManager) for every file of the core, and for
// everything that imports the core: one import here instead of one block per file. Foundation
// and FoundationNetworking are never linked on Linux (check_vsix checks the binary).
#if canImport(FoundationEssentials)
    @_exported import FoundationEssentials
#else
    @_exported import Foundation
#endif
