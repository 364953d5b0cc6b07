/// The plans' side of ``SecretStore``: a create step's undo that first asks the vault.
extension SecretStore {
    /// Undoes a new credential only while Key Vault does not hold it. A write whose answer was
    /// lost (a timeout, a failed read-back) may have landed: consumers then already read the new
    /// value, and revoking it would break them. When the vault cannot be read to tell, the
    /// credential is kept too, and the reason names it.
    func guarding(_ compensation: Compensation, secretName: String, value: Secret, credential: String)
        -> Compensation
    {
        Compensation(compensation.title, leftBehind: compensation.leftBehind, takesBack: compensation.takesBack) {
            let latest: KeyVaultClient.SecretBundle?
            do {
                latest = try await self.latest(secretName)
            } catch {
                throw CompensationDeclined(
                    "\(credential) stays live: Key Vault secret '\(secretName)' could not be read to tell whether the write landed (\(error)); if it holds \(credential), consumers use it, else revoke it by hand"
                )
            }
            if latest?.value == value {
                throw CompensationDeclined(
                    "\(credential) stays live: Key Vault secret '\(secretName)' holds it (\(latest?.id ?? "")), so consumers read it"
                )
            }
            try await compensation.perform()
        }
    }
}
