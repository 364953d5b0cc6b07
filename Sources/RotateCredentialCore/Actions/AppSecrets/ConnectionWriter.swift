/// Writes a client secret into service connections, `maxParallel` at a time: each is PUT back
/// whole with the new key, read back and checked ready, then recorded as holding it (in the
/// task's record, by connection id). One step for all of them; a connection that fails does not
/// stop the others, and the step reports every connection it wrote.
struct ConnectionWriter: Sendable {
    let updater: ServiceConnectionUpdater
    let keeper: RecordKeeper?
    let context: ActionContext

    /// The step that gives `changes` the key `key(progress)`, whose keyId is `keyId(progress)`.
    /// With `secures`, a written connection is a place the key is stored.
    func step(
        _ changes: [ServiceConnectionChange], secures: Bool,
        key: @escaping @Sendable (PlanProgress) async throws -> (secret: Secret, keyId: String)
    ) -> Step {
        let names = changes.compactMap(\.endpointName).map { "'\($0)'" }.joined(separator: ", ")
        let needs = changes.compactMap { change -> AccessNeed? in
            guard case .update(let endpoint, _) = change else { return nil }
            return .administerConnection(endpoint, client: updater.client)
        }
        return .acting(
            "Give service connection(s) \(names) the secret, read each back and check it is ready", secures: secures,
            needs: needs
        ) { progress in
            let (secret, keyId) = try await key(progress)
            let results = await Parallel.map(changes, maxParallel: context.configuration.maxParallel) { change in
                await write(change, secret: secret, keyId: keyId)
            }
            let effects = results.compactMap { try? $0.get() }.map(StepEffect.connectionWritten)
            let failures = results.compactMap { result -> (any Error)? in
                if case .failure(let error) = result { return error } else { return nil }
            }
            guard failures.isEmpty else {
                throw StepPartialFailure(effects: effects, underlying: ConnectionWriteFailures(errors: failures))
            }
            return StepResult(effects: effects)
        }
    }

    private func write(_ change: ServiceConnectionChange, secret: Secret, keyId: String) async -> Result<
        ConnectionHolder, any Error
    > {
        guard case .update(let endpoint, let converts) = change else {
            preconditionFailure("only connections that take a key are written")
        }
        do {
            try await updater.write(secret, into: endpoint, converting: converts)
            let holder = ConnectionHolder(
                id: endpoint.id, name: endpoint.name, project: updater.project, keyId: keyId,
                written: context.serviceNow)
            await keeper?.recordHolder(holder)
            context.output.info(
                "Service connection '\(endpoint.name)' holds client secret keyId \(keyId) and is ready.")
            return .success(holder)
        } catch {
            return .failure(error)
        }
    }
}

/// Connections that could not be written, each with its error.
struct ConnectionWriteFailures: Error, Sendable, CustomStringConvertible {
    var errors: [any Error]

    var description: String { errors.map { "\($0)" }.joined(separator: " ") }
}
